// Runs experiments with a progress notification and a working Cancel, one run per experiment
// file at a time: a second run of the same file asks before cancelling the first.
import * as vscode from "vscode";
import type { RunOptions } from "../shared/workerProtocol";
import { log } from "./log";
import { startWorkerRun, type Outcome, type WorkerRun } from "./workerRun";

const RESTART = "Cancel and Restart";

export class Runner implements vscode.Disposable {
  private readonly runs = new Map<string, WorkerRun>();

  constructor(private readonly workerFile: string) {}

  /** The run's outcome; undefined when the user chose to keep a run of the same file going. */
  async run(experimentFile: string, name: string, options: RunOptions): Promise<Outcome | undefined> {
    const current = this.runs.get(experimentFile);
    if (current) {
      const choice = await vscode.window.showWarningMessage(
        `"${name}" is already training. Cancel that run and start again?`,
        { modal: true },
        RESTART,
      );
      if (choice !== RESTART) return undefined;
      await current.cancel();
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MTQ: ${name}`, cancellable: true },
      (progress, token) => {
        let reported = 0;
        let stage = "";
        const run = startWorkerRun(this.workerFile, experimentFile, options, (p) => {
          if (p.stage !== stage) log().info(`${name}: ${p.message}`);
          stage = p.stage;
          // withProgress wants increments; the worker reports the whole run's fraction.
          const increment = Math.max(0, p.fraction - reported) * 100;
          reported = Math.max(reported, p.fraction);
          progress.report({ increment, message: `${Math.round(100 * p.fraction)}% · ${p.message}` });
        });
        this.runs.set(experimentFile, run);
        token.onCancellationRequested(() => {
          log().info(`${name}: cancel requested`);
          void run.cancel();
        });
        return run.outcome.finally(() => {
          if (this.runs.get(experimentFile) === run) this.runs.delete(experimentFile);
        });
      },
    );
  }

  dispose(): void {
    for (const run of this.runs.values()) void run.cancel();
  }
}

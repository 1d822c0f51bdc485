// The walkthrough as package.json contributes it: every step has a unique id, an image that
// exists and goes into the .vsix (what `vsce ls` lists), a button that runs one of the
// extension's commands, and completion events on those commands or views.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = join(__dirname, "..");

interface Step {
  id: string;
  title: string;
  description: string;
  media: { image: string | Record<"light" | "dark" | "hc", string>; altText: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: Step[];
}
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]>; walkthroughs: Walkthrough[] };
};
const { walkthroughs } = manifest.contributes;
const steps = walkthroughs.flatMap((w) => w.steps);
const commands = new Set(manifest.contributes.commands.map((c) => c.command));
const views = new Set(Object.values(manifest.contributes.views).flatMap((list) => list.map((v) => v.id)));
/** A contributed command, or the command VS Code adds to focus a contributed view. */
const runnable = (command: string) =>
  commands.has(command) || (command.endsWith(".focus") && views.has(command.slice(0, -".focus".length)));
const images = (step: Step) => (typeof step.media.image === "string" ? [step.media.image] : Object.values(step.media.image));

describe("the walkthrough", () => {
  it("is one walkthrough of five steps, from a new experiment to comparing two runs", () => {
    assert.equal(walkthroughs.length, 1, "src/host/walkthrough.ts opens the first one");
    assert.deepEqual(
      steps.map((s) => s.id),
      ["newExperiment", "trainAndAnalyze", "readMapsAndSankey", "findOutliers", "compareRuns"],
    );
    for (const text of [walkthroughs[0].title, walkthroughs[0].description, ...steps.flatMap((s) => [s.title, s.description])])
      assert.ok(text.trim().length > 0);
  });

  it("gives every step a button, on a line of its own, that runs one of the extension's commands", () => {
    for (const step of steps) {
      const links = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id} has no command link`);
      for (const command of links) assert.ok(runnable(command), `${step.id}: ${command} is not a contributed command`);
      // VS Code draws a link alone on its line as a button.
      assert.match(step.description, /\n\[[^\]]+\]\(command:[\w.]+\)$/, `${step.id}: the button is not on its own last line`);
    }
  });

  it("completes each step on its command, or on its view being shown", () => {
    for (const step of steps) {
      assert.ok(step.completionEvents?.length, `${step.id} has no completion event`);
      for (const event of step.completionEvents!) {
        const [kind, what] = event.split(":");
        if (kind === "onCommand") assert.ok(commands.has(what), `${step.id}: ${event}`);
        else if (kind === "onView") assert.ok(views.has(what), `${step.id}: ${event}`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
    }
  });

  it("shows an image with alt text in every step, a file that exists and is packed into the .vsix", () => {
    const packed = new Set(
      execFileSync(join(root, "node_modules", ".bin", "vsce"), ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" })
        .trim()
        .split("\n"),
    );
    for (const step of steps) {
      assert.ok(step.media.altText.trim().length > 0, `${step.id} has no alt text`);
      for (const image of images(step)) {
        assert.ok(existsSync(join(root, image)), `${step.id}: ${image} is missing`);
        assert.match(image, /\.png$/);
        assert.ok(packed.has(image), `${step.id}: ${image} is not in the .vsix`);
      }
    }
  });
});

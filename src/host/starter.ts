// The experiment `MTQ: New Experiment` writes: the report's first question, commented so that a
// first-time user can read what each field does. Pure text, tested against parseExperiment.

/** The starter experiment's text; `name` must be a valid experiment name. */
export function starterExperimentText(name: string): string {
  return `// An MTQ Signatures experiment (JSON with comments). Run it with "MTQ: Train and Analyze".
{
  "name": ${JSON.stringify(name)}, // the results are written to ${name}.results.json
  "description": "Does a 1-vs-7 model separate its classes, and where do unseen 4s and 3s go?",
  "seed": 24, // same file + same seed = same results

  // 100 real MNIST images of each digit, the first ones in file order (the report's cut_data).
  // "perDigit": "all" with "from": "train+test" takes all 70,000 digits; "source" can also be your
  // own IDX or CSV files or an image folder, whose classes "digits" may then name ("cat", "dog").
  "data": { "source": "mnist", "digits": [1, 7], "perDigit": 100, "pick": "first" },

  // The report's model: 784 -> 32 -> 64 -> softmax. Every hidden layer is a signature layer.
  "model": { "kind": "dense", "hidden": [32, 64], "activation": "relu" },
  "training": { "epochs": 10, "batchSize": 32, "learningRate": 0.001 },

  // k-means on each layer's signatures, k chosen by the best mean silhouette in kMin..kMax.
  "clustering": { "kMin": 2, "kMax": 10 },
  "projection": { "neighbors": 15, "minDist": 0.1 },

  // Digits the model never saw, passed through it after training: do they follow a known path?
  "inject": [
    { "digit": 4, "count": 100 },
    { "digit": 3, "count": 100 }
  ]
}
`;
}

/** "experiment", then "experiment-2", "experiment-3"...: the first name whose file is free. */
export function freeExperimentName(taken: (fileName: string) => boolean, base = "experiment"): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!taken(`${name}.mtq.json`)) return name;
  }
}

// The experiment format (`*.mtq.json`): one zod definition gives the TypeScript types, the
// run-time validation and the JSON schema VS Code uses for IntelliSense (schema/mtq.schema.json).
import { z } from "zod";

const label = z
  .union([z.number().int().min(0).max(255), z.string().min(1)])
  .describe("A label (0-255) or a class name from data.classNames / the image folder's subfolders.");

const filePath = z.string().min(1).describe("Path to a file, relative to the experiment file. `.gz` files are read as gzip.");

const idxSource = z
  .object({
    idx: z
      .object({
        images: filePath.describe("IDX image file (magic 0x00000803, e.g. train-images-idx3-ubyte[.gz]), relative to the experiment file."),
        labels: filePath.describe("IDX label file (magic 0x00000801, e.g. train-labels-idx1-ubyte[.gz]), relative to the experiment file."),
        testImages: filePath
          .optional()
          .describe(
            "Optional test IDX image file: held-out images to measure accuracy (`holdout.from: " +
              '"test-split"`), or picked from too with `data.from: "train+test"`.',
          ),
        testLabels: filePath.optional().describe("Optional held-out IDX label file, paired with `testImages`."),
      })
      .strict()
      .describe("A pair of IDX files (the MNIST file format), `.gz` accepted."),
  })
  .strict();

const csvSource = z
  .object({
    csv: filePath.describe(
      "CSV file: one image per row, the label in the first column then one column per pixel (784 for " +
        "28x28), values 0-255. A header row is skipped when its first cell is not a number.",
    ),
    testCsv: filePath
      .optional()
      .describe(
        'Optional test CSV in the same layout: held-out images to measure accuracy, or picked from too with `data.from: "train+test"`.',
      ),
  })
  .strict();

const folderPath = z.string().min(1).describe("Path to a folder, relative to the experiment file.");

const folderSource = z
  .object({
    folder: z
      .object({
        path: folderPath.describe(
          "Folder with one subfolder per class, each holding that class's PNG and JPEG images (other " +
            "files are ignored). Subfolders named 0-255 give those labels; otherwise the labels are 0, 1, " +
            "2... in the subfolders' alphabetical order and the subfolder names are the class names.",
        ),
        testPath: folderPath
          .optional()
          .describe(
            "Optional test folder in the same layout (same subfolder names): held-out images to measure " +
              'accuracy, or picked from too with `data.from: "train+test"`.',
          ),
        size: z
          .tuple([z.number().int().min(1).max(512), z.number().int().min(1).max(512)])
          .default([28, 28])
          .describe(
            "[rows, columns] every image is resized to (area averaging; the aspect ratio is not kept). Default [28, 28], MNIST's size.",
          ),
        invert: z
          .boolean()
          .default(false)
          .describe("Turn dark-on-light images into light-on-dark, like MNIST's white digits on black (for a model trained on MNIST)."),
        channels: z
          .union([z.literal(1), z.literal(3)])
          .optional()
          .describe(
            "1: read the images as one grey channel (luminance); 3: in colour (red, green, blue). Absent: 3 when any image the run " +
              "takes has pixels whose channels differ, else 1; with a saved or ONNX model, the channels its input takes.",
          ),
      })
      .strict()
      .describe(
        "An image folder: images are read in colour or as one grey channel (`channels`; transparent pixels count as white), " +
          "resized to `size`, one label per subfolder.",
      ),
  })
  .strict();

const arrayName = z
  .string()
  .min(1)
  .describe("A .npy file relative to the experiment file, or, with `file`, the name (key) of an array in it.");

const signaturesSource = z
  .object({
    signatures: z
      .object({
        file: filePath
          .optional()
          .describe(
            "An .npz (numpy.savez) or .safetensors file holding every array: `layers`, `labels`, `predictions` and `thumbnails` " +
              "then name arrays in it (keys) instead of .npy files.",
          ),
        layers: z
          .array(arrayName)
          .min(1)
          .max(16)
          .describe(
            "One array per hidden layer, input side first: one row per image, any float dtype. 2-D (images x units) is used as " +
              "it is; more dimensions are a convolutional layer's feature maps in PyTorch's order (images x channels x ...), " +
              "averaged or flattened as `convSignature` says.",
          ),
        labels: arrayName.describe("An integer array: each image's label (0-255), in the numbers of `data.digits`."),
        predictions: arrayName.describe("An integer array: the label the model chose for each image (its argmax), in the same numbers."),
        thumbnails: arrayName
          .optional()
          .describe("Optional uint8 images to show, one per row: images x rows x columns (grey) or images x rows x columns x 3 (RGB)."),
        convSignature: z
          .enum(["average", "flatten"])
          .default("average")
          .describe(
            'A layer of more than 2 dimensions: "average" = the mean of each channel (axis 1, PyTorch\'s NCHW) over the ' +
              'other axes, one value per channel, or "flatten" = every value.',
          ),
      })
      .strict()
      .describe(
        "Signatures computed elsewhere (by your model, on your machine): each image's signature per hidden layer, its label and " +
          "the model's prediction. No model runs and nothing is trained: leave `model`, `training` and `snapshots` out.",
      ),
  })
  .strict();

const agreement = z.number().min(0).max(1);

const coloredMnistSource = z
  .object({
    coloredMnist: z
      .object({
        agreement: agreement
          .default(0.9)
          .describe("Share of the training images whose colour agrees with their digit (red below 5, green from 5). Default 0.9."),
        testAgreement: agreement
          .default(0.1)
          .describe("The same share for the test images: low, so that a model that learnt the colour fails on them. Default 0.1."),
        seed: z.number().int().min(0).default(0).describe("Seed of the colour draws (one per image, in file order). Default 0."),
      })
      .strict()
      .describe(
        "Colored MNIST (Arjovsky et al., 2019, Invariant Risk Minimization): the built-in MNIST with each digit drawn in red " +
          "(digits 0-4) or green (5-9), the other colour for a share 1 - agreement of the images, drawn with `seed`.",
      ),
  })
  .strict();

export const sourceSchema = z
  .union([
    z.literal("mnist").describe("The built-in MNIST: all 70,000 real digits (60,000 train, 10,000 test), no download."),
    idxSource,
    csvSource,
    folderSource,
    signaturesSource,
    coloredMnistSource,
  ])
  .describe(
    'Where the images come from: "mnist" (built in), { "idx": { "images", "labels" } } ' +
      '(Fashion-MNIST\'s files too), { "csv": PATH }, { "folder": { "path" } } (one subfolder of ' +
      'PNG/JPEG images per class), { "signatures": { "layers", "labels", "predictions" } } (signatures computed elsewhere) or ' +
      '{ "coloredMnist": {} } (MNIST in red and green).',
  );

const holdoutSchema = z
  .object({
    from: z
      .enum(["test-split", "rest"])
      .optional()
      .describe(
        "\"test-split\": the data's own test split (MNIST's 10,000 test digits, or the source's test " +
          'files). "rest": images of `data.from` that were not picked. Default: "test-split" when the ' +
          'source has one and `data.from` is "train", else "rest".',
      ),
    perDigit: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe("At most this many held-out images of each kept digit (taken in file order)."),
  })
  .strict()
  .describe("How accuracy is measured on images the model did not train on.");

const dataSchema = z
  .object({
    source: sourceSchema.default("mnist"),
    digits: z
      .array(label)
      .min(2)
      .describe(
        'The class labels to keep and train on, e.g. [1, 7], or their names, e.g. ["cat", "dog"] (from ' +
          "data.classNames or the image folder's subfolders). The output layer has one unit per kept " +
          "label, in sorted order (keeping 1, 3, 7: a 3 is [0,1,0]).",
      ),
    perDigit: z
      .union([z.number().int().positive(), z.literal("all")])
      .describe(
        'How many images of each kept digit to train on and analyse (the report used 100), or "all": ' +
          "every image of each kept digit in `data.from` (the counts then differ by digit).",
      ),
    from: z
      .enum(["train", "train+test"])
      .default("train")
      .describe(
        'Where the kept and injected images are picked from: "train", the source\'s training images, or ' +
          '"train+test", its training and test images as one pool, training images first (MNIST\'s ' +
          '70,000). With "train+test" the held-out images are the pool\'s images not picked ' +
          '(`holdout.from: "rest"`).',
      ),
    pick: z
      .enum(["first", "random"])
      .default("first")
      .describe(
        '"first": the first images of each digit in file order (the report\'s cut_data; with `from: ' +
          '"train+test"`, training images before test images). "random": a random sample drawn with the ' +
          "experiment's seed.",
      ),
    holdout: holdoutSchema.prefault({}),
    classNames: z
      .array(z.string().min(1))
      .max(256)
      .optional()
      .describe(
        'Names of the labels, by label: classNames[3] names label 3 (for Fashion-MNIST: ["T-shirt/top", ' +
          '"Trouser", ...]). Shown wherever a label is shown. An image folder\'s subfolder names are used ' +
          "when this is absent.",
      ),
  })
  .strict()
  .describe("The images: their source, which digits to keep and how many of each.");

export const activationSchema = z.enum(["relu", "tanh", "sigmoid", "elu", "selu", "linear"]);

const denseModel = z
  .object({
    kind: z.literal("dense").describe("A fully connected network: input -> hidden layers -> softmax over the kept digits."),
    hidden: z
      .array(z.number().int().min(1).max(4096).describe("Units in this hidden layer (1-4096)."))
      .min(1)
      .max(8)
      .default([32, 64])
      .describe("Hidden layer sizes, input side first. The report's model: [32, 64]. Each hidden layer's output is a signature layer."),
    activation: activationSchema.default("relu").describe("Activation of the hidden layers."),
  })
  .strict();

const convSignature = z
  .enum(["average", "flatten"])
  .default("average")
  .describe(
    'A convolutional layer\'s signature: "average" = its global average per channel (one value per ' +
      'filter, compact) or "flatten" = every value of its feature maps (rows x columns x filters).',
  );

const convBlock = z
  .object({
    filters: z.number().int().min(1).max(512).describe("Filters (output channels) of the convolution."),
    kernelSize: z.number().int().min(1).max(15).default(3).describe("Side of the square convolution kernel."),
    pool: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(2)
      .describe("Side of the max-pooling window after the convolution (1: no pooling). The block's signature is taken after pooling."),
  })
  .strict()
  .describe("One block: a 'same'-padded convolution, then max pooling.");

const cnnModel = z
  .object({
    kind: z
      .literal("cnn")
      .describe("A convolutional network: input image -> conv + pooling blocks -> dense layers -> softmax over the kept digits."),
    conv: z
      .array(convBlock)
      .min(1)
      .max(6)
      .prefault([{ filters: 8 }, { filters: 16 }])
      .describe("The conv + pooling blocks, input side first. Each block's output is a signature layer."),
    dense: z
      .array(z.number().int().min(1).max(4096).describe("Units in this dense layer (1-4096)."))
      .max(8)
      .default([32])
      .describe("Dense layer sizes after the blocks (flattened), input side first. Each is a signature layer."),
    activation: activationSchema.default("relu").describe("Activation of the convolutions and the dense layers."),
    convSignature,
  })
  .strict();

const savedModel = z
  .object({
    kind: z
      .literal("saved")
      .describe(
        "Your own trained TensorFlow.js Layers model (what Keras models become through " +
          "tensorflowjs_converter). It is not trained again: `training` is ignored.",
      ),
    path: filePath.describe(
      "The model's model.json, relative to the experiment file; its weight files (named in model.json) sit beside it.",
    ),
    layers: z
      .array(z.string().min(1).describe("A layer name from the model."))
      .min(1)
      .optional()
      .describe(
        "Names of the layers to analyse as hidden layers, input side first. Default: every Dense, Conv " +
          "and Flatten layer except the output layer. An unknown name gets a problem listing the model's " +
          "layers.",
      ),
    convSignature,
  })
  .strict();

const onnxModel = z
  .object({
    kind: z
      .literal("onnx")
      .describe(
        "Your own trained classifier as an ONNX file: what torch.onnx.export writes, or a Keras/TF model through tf2onnx. " +
          "It runs on onnxruntime's CPU provider and is not trained again: `training` is ignored.",
      ),
    path: filePath.describe("The .onnx file, relative to the experiment file; external data files, if any, sit in its folder."),
    layers: z
      .array(z.string().min(1).describe("A tensor name of the model (a node's output), or a node's name for its first output."))
      .min(1)
      .optional()
      .describe(
        "The tensors to analyse as hidden layers, input side first. Default: for each Conv, ConvTranspose, Gemm and MatMul " +
          "node but the last (the classifier), the output of its bias, normalisation, activation and pooling nodes. An " +
          "unknown name gets a problem listing the model's layers.",
      ),
    convSignature: convSignature.describe(
      'A layer of more than 2 dimensions (ONNX\'s N x C x ... feature maps): "average" = the mean of each channel, ' +
        '"flatten" = every value.',
    ),
    normalize: z
      .object({
        mean: z.array(z.number()).min(1).max(4).describe("Per channel (or one for all): subtracted from the pixels scaled to [0, 1]."),
        std: z.array(z.number().positive()).min(1).max(4).describe("Per channel (or one for all): what the difference is divided by."),
      })
      .strict()
      .optional()
      .describe(
        "The torchvision Normalize(mean, std) the model was trained with: each pixel, scaled to [0, 1] (divided by 255), " +
          "becomes (x - mean[c]) / std[c]. Absent: the pixels scaled to [0, 1], as ToTensor() gives them.",
      ),
    output: z
      .enum(["auto", "probabilities", "logits"])
      .default("auto")
      .describe(
        '"probabilities": the model ends in a softmax; "logits": raw scores, which MTQ turns into probabilities with a softmax; ' +
          '"auto": probabilities when every row of the outputs lies in [0, 1] and sums to 1 (within 1e-3), else logits.',
      ),
  })
  .strict();

export const modelSchema = z
  .discriminatedUnion("kind", [denseModel, cnnModel, savedModel, onnxModel])
  .prefault({ kind: "dense" })
  .describe(
    'The network: "dense" or "cnn" (trained from the file), "saved" (your own trained TF.js model) or "onnx" (your own ' +
      "trained ONNX model). " +
      "Default: the report's 784 -> 32 -> 64 -> softmax with ReLU. The data's images must fit its " +
      "input and the kept digits its output units.",
  );

const trainingSchema = z
  .object({
    epochs: z.number().int().min(1).max(1000).default(10).describe("Passes over the training images."),
    batchSize: z.number().int().min(1).max(65536).default(32).describe("Images per gradient step."),
    learningRate: z.number().positive().max(10).default(0.001).describe("Adam's learning rate."),
  })
  .strict()
  .prefault({})
  .describe("Training with Adam on categorical cross-entropy.");

const clusteringSchema = z
  .object({
    kMin: z.number().int().min(2).max(100).default(2).describe("Smallest k tried by k-means."),
    kMax: z.number().int().min(2).max(100).default(10).describe("Largest k tried; must stay below the number of images."),
    k: z.number().int().min(2).max(100).optional().describe("A fixed k for every layer instead of choosing it by silhouette."),
    restarts: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(3)
      .describe(
        "k-means starts per k, as scikit-learn's n_init: that many k-means++ starts, seeded from the experiment's seed, " +
          "and the fit with the least inertia is kept. Default 3: on 10,000 MNIST digits one start chose another k than 3 " +
          "and 10 starts did, which agreed, and each start adds one k-means fit per k (npm run bench:clustering; README).",
      ),
  })
  .strict()
  .prefault({})
  .describe("k-means on each hidden layer's signatures; k is the one with the best mean silhouette in kMin..kMax unless `k` is set.");

const stabilitySchema = z
  .object({
    runs: z
      .number()
      .int()
      .min(0)
      .max(200)
      .default(0)
      .describe(
        "Bootstrap resamples of the kept images (0: off). Each run redraws as many kept images with replacement " +
          "and refits every layer's k-means on them (same k range or fixed k, same restarts, k chosen again by silhouette). " +
          "Default 0: a run costs about one clustering stage, so 20 runs take minutes at 10,000 images (README). " +
          "npm run reproduce always runs 20.",
      ),
  })
  .strict()
  .prefault({})
  .describe(
    "How far each layer's clustering holds when the images change: per layer the adjusted Rand index of each run to the main " +
      "clustering and how often each k was chosen, per cluster its mean Jaccard to its best match in the runs (Hennig's clusterboot). " +
      "Final model only, not the training snapshots.",
  );

const projectionSchema = z
  .object({
    neighbors: z.number().int().min(2).max(200).default(15).describe("UMAP nNeighbors: local (small) vs global (large) structure."),
    minDist: z.number().min(0).max(1).default(0.1).describe("UMAP minDist: how tightly points may pack."),
    epochs: z
      .number()
      .int()
      .min(10)
      .max(2000)
      .optional()
      .describe(
        "UMAP optimisation epochs (default by data size: as umap-js, 500 up to 2,500 images, 400 up to 5,000, 300 up to 7,500, " +
          "200 up to 10,000; above, 200 x sqrt(10,000 / images), so 76 at 70,000, but at least 50, from 160,000 images on).",
      ),
  })
  .strict()
  .prefault({})
  .describe("UMAP projection of each layer's signatures to 2-D.");

const injectSchema = z
  .object({
    digit: label.describe(
      "A label (0-255) or a class name from data.classNames / the image folder's subfolders, that " +
        "the model was not trained on: passed through the trained model (e.g. 4 in a 1-vs-7 model, or " +
        '"fox" in a cat-vs-dog one).',
    ),
    count: z.number().int().min(1).max(100000).describe("How many images of it to pass."),
  })
  .strict();

export const experimentSchema = z
  .object({
    $schema: z.string().optional().describe("Path or URL of the JSON schema (optional; VS Code applies it to *.mtq.json anyway)."),
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' and '-' only")
      .describe("Short name; the results file is NAME.results.json."),
    description: z.string().default("").describe("What this experiment asks (shown in the results view)."),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(24)
      .describe("Seed for weights, shuffling, random picks, k-means and UMAP. Same file + same seed = same results."),
    data: dataSchema,
    model: modelSchema,
    training: trainingSchema,
    clustering: clusteringSchema,
    projection: projectionSchema,
    stability: stabilitySchema,
    inject: z
      .array(injectSchema)
      .default([])
      .describe(
        "Unseen digits passed through the trained model: where do they go? They are placed in the clusters fitted on the kept images, without moving them.",
      ),
    snapshots: z
      .array(z.number().int().min(1).describe("An epoch, 1..training.epochs: signatures are recorded when it ends."))
      .max(50)
      .optional()
      .describe(
        "Epochs at which to record every image's signatures while training, e.g. [1, 2, 5, 10]: each " +
          "snapshot is clustered, projected and traced like the final model, so the results view can " +
          "replay how paths form, and the findings say from which epoch each layer separates the kept " +
          "digits. The final model is always the main result.",
      ),
  })
  .strict()
  .describe(
    "An MTQ Signatures experiment: train a classifier, record every image's signature per hidden layer, cluster it and trace its path.",
  );

/** An experiment as written: a label in `data.digits` or `inject[].digit` may be a class name. */
export type ParsedExperiment = z.output<typeof experimentSchema>;
/** A label as written: a number, or a class name resolved against the experiment's classes. */
export type LabelRef = z.output<typeof label>;
/**
 * The experiment with every label a number (class names resolved by check/labels.ts once the
 * classes are known): what the pipeline runs and what results files record.
 */
export type Experiment = Omit<ParsedExperiment, "data" | "inject"> & {
  data: Omit<ParsedExperiment["data"], "digits"> & { digits: number[] };
  inject: (Omit<ParsedExperiment["inject"][number], "digit"> & { digit: number })[];
};
export type ExperimentInput = z.input<typeof experimentSchema>;
export type Source = Experiment["data"]["source"];

/** Whether a source names test images (MNIST does; a file source when its test files are given). */
export function hasTestSplit(source: Source): boolean {
  if (source === "mnist" || "coloredMnist" in source) return true;
  if ("signatures" in source) return false;
  if ("idx" in source) return source.idx.testImages !== undefined && source.idx.testLabels !== undefined;
  if ("folder" in source) return source.folder.testPath !== undefined;
  return source.testCsv !== undefined;
}
export type Activation = z.output<typeof activationSchema>;
export type ModelSpec = Experiment["model"];
export type ConvSignature = z.output<typeof convSignature>;

export function experimentJsonSchema(): object {
  return z.toJSONSchema(experimentSchema, { io: "input", target: "draft-7" });
}

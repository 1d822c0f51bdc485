/** A data file that cannot be used as it is: the caller knows which experiment field named it. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = "DataFileError";
  }
}

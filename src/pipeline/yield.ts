/** A real event-loop turn, so a long loop in a worker sees a cancel message (promises alone never yield). */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

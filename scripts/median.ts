// The benches' median: the middle of the sorted values (the upper middle of an even count).

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

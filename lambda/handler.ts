// Placeholder so that the construct can bundle this entry while the guard's wiring is written
// (see lambda/guard.ts, in progress). Replaced by the real wiring in the next commits.
export const handler = async (_event: unknown): Promise<void> => {};

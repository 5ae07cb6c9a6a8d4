// The scheduled-resume function's entry (wiring follows in the next commit).
export const handler = async (_event: unknown): Promise<void> => {};

/** The floor of the cold-start benchmark: a handler that imports nothing. */
export async function handler(): Promise<void> {}

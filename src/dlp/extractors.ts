/**
 * Registers the heavier extractors (archives, PDF, OOXML) with files.ts. Kept apart so files.ts
 * and the MIME walker do not import them (and their libraries) in a cycle.
 */
export {};

/** What `apiRequest` needs to validate an answer: any contract (zod) schema fits, and so does a hand-written check. */
export interface ResponseSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

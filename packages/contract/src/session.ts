/** GET /api/me: who the shopper is, if anyone. */
import * as z from 'zod/mini';

export const MeSchema = z.discriminatedUnion('signedIn', [
  z.object({ signedIn: z.literal(false) }),
  z.object({
    signedIn: z.literal(true),
    openid: z.string(),
    nickname: z.nullable(z.string()),
    avatarUrl: z.nullable(z.string()),
  }),
]);
export type Me = z.infer<typeof MeSchema>;

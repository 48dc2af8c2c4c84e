/** JSON schemas shared by routes, and the user's public shape. */
import type { Match, User } from '../store/index.js';

export const emailSchema = { type: 'string', format: 'email', minLength: 3, maxLength: 254 } as const;
export const passwordSchema = { type: 'string', minLength: 8, maxLength: 1024 } as const;
export const nameSchema = { type: 'string', minLength: 1, maxLength: 150, pattern: '\\S' } as const;

export const newUserBody = (roles: readonly string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password', 'first_name', 'last_name', 'role'],
    properties: {
      email: emailSchema,
      password: passwordSchema,
      first_name: nameSchema,
      last_name: nameSchema,
      role: { type: 'string', enum: roles },
    },
  }) as const;

export interface NewUserBody {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  role: 'MENTOR' | 'MENTEE' | 'ADMIN';
}

export interface PublicUser {
  email: string;
  first_name: string;
  last_name: string;
  role: string;
}

export function publicUser(user: User): PublicUser {
  return { email: user.email, first_name: user.firstName, last_name: user.lastName, role: user.role };
}

export function publicMatch(match: Match) {
  return { mentor: publicUser(match.mentor), mentee: publicUser(match.mentee), matched_at: match.matchedAt.toISOString() };
}

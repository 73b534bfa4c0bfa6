// API token grants as configuration holds them (api.tokens, CEPHEUS_API_TOKENS): the short
// form `<token>: read | admin`, or `<token>: { scope, name }` naming who changes are attributed
// to. Shared by the config schema and the HTTP auth (src/http/auth.ts), which resolves them.

export const SCOPES = ['read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a token grants: its scope (short form, named after its hash) or its scope and a name. */
export type TokenGrant = Scope | { readonly scope: Scope; readonly name: string };

/** Names people and tools are known by in histories: 1-64 letters, digits, space, `. _ @ -`. */
export const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;
export const IDENTITY_NAME_RULE = 'expected 1-64 letters, digits, space, . _ @ - (starting with a letter or digit)';

import { GraphQLError, visit, type DocumentNode } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * Text no field can want: a NUL byte (PostgreSQL refuses it in text, so it surfaced as an internal
 * error with the driver's message) or a lone UTF-16 surrogate (not a character; it cannot be
 * encoded as UTF-8). Refused here, at the one door every operation passes, in literals and in
 * variables alike, with BAD_USER_INPUT naming where it was, before any subgraph sees it.
 */
function unsafe(text: string): boolean {
  return text.includes('\u0000') || !(text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Where unsafe text sits in the operation's literals or variables, or null when there is none. */
export function findUnsafeText(document: DocumentNode, variables: Record<string, unknown> | null | undefined): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node) {
      if (!found && unsafe(node.value)) found = `a string literal at line ${node.loc?.startToken.line ?? '?'}`;
    },
  });
  if (found) return found;
  const walk = (value: unknown, path: string): string | null => {
    if (typeof value === 'string') return unsafe(value) ? path : null;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const at = walk(value[i], `${path}[${i}]`);
        if (at) return at;
      }
      return null;
    }
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (unsafe(key)) return `${path} (a key)`;
        const at = walk(inner, `${path}.${key}`);
        if (at) return at;
      }
    }
    return null;
  };
  for (const [name, value] of Object.entries(variables ?? {})) {
    const at = walk(value, `$${name}`);
    if (at) return `variable ${at}`;
  }
  return null;
}

export function unsafeTextError(where: string): GraphQLError {
  return new GraphQLError(`Text may not contain NUL bytes or unpaired UTF-16 surrogates (${where}).`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

/** The check on HTTP, once the operation is parsed and validated. */
export function inputHygienePlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const where = findUnsafeText(document, request.variables);
          if (where) throw unsafeTextError(where);
        },
      };
    },
  };
}

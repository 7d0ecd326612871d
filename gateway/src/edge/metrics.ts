import type express from 'express';
import { Kind, parse, type DocumentNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  collectProcessMetrics,
  gatewayLimitRefusals,
  gatewayRequestDuration,
  gatewayRequests,
  scrapeMetrics,
  secondsSince,
} from '@market/platform';
import type { GatewayContext } from '../context';

/** The `service` label of every gateway series. */
export const GATEWAY_SERVICE = 'gateway';

/** Distinct operation names labelled as themselves when no manifest bounds them; later ones are "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Bounds the `operation` label. With trusted documents enforced the manifest's operation names are
 * the whole set; otherwise the first `cap` well-formed names seen get their own series and anything
 * after is "other", so a client inventing names cannot grow the series without end.
 */
export class OperationNames {
  private readonly seen = new Set<string>();

  constructor(
    private readonly trusted: ReadonlySet<string> | null,
    private readonly cap = MAX_OPERATION_NAMES,
  ) {}

  /** From the trusted documents' texts when enforced (null: the capped set). */
  static from(trustedBodies: Iterable<string> | null, cap?: number): OperationNames {
    return new OperationNames(trustedBodies ? operationNamesOf(trustedBodies) : null, cap);
  }

  label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.trusted) return this.trusted.has(name) ? name : 'other';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.cap) return 'other';
    this.seen.add(name);
    return name;
  }
}

function operationNamesOf(bodies: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const body of bodies) {
    try {
      for (const d of parse(body).definitions) if (d.kind === Kind.OPERATION_DEFINITION && d.name) names.add(d.name.value);
    } catch {
      // A manifest entry that does not parse never runs either.
    }
  }
  return names;
}

/** Which limit an error of a refused operation stands for, or null when it is no limit's. */
export function refusalRule(error: { message: string; extensions?: Record<string, unknown> }): string | null {
  const code = error.extensions?.['code'];
  if (code === 'COST_LIMIT_EXCEEDED') return 'cost';
  if (code === 'PERSISTED_QUERY_NOT_TRUSTED') return 'untrusted_document';
  const message = error.message;
  if (/^Too many aliases/.test(message)) return 'aliases';
  if (/depth limit/i.test(message)) return 'depth';
  if (/directives? limit/i.test(message)) return 'directives';
  if (/more than \d+ tokens/i.test(message)) return 'tokens';
  return null;
}

/** Counts one refusal by a limit that answers before Apollo runs (document length, manifest, body size). */
export function countRefusal(rule: string): void {
  gatewayLimitRefusals.inc({ service: GATEWAY_SERVICE, rule });
}

/**
 * Requests by operation (bounded), type and outcome, their duration, and refusals by rule. The
 * outcome is "refused" when a limit stopped the operation, "error" when the response has errors,
 * else "ok".
 */
export function gatewayMetrics(names: OperationNames): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          // A refused document never resolves its operation: read it from the parsed document then.
          const parsed = ctx.document ? soleOperation(ctx.document) : null;
          const operation = names.label(ctx.operationName ?? ctx.request.operationName ?? parsed?.name);
          const type = ctx.operation?.operation ?? parsed?.type ?? 'unknown';
          let outcome = ctx.errors?.length ? 'error' : 'ok';
          for (const error of ctx.errors ?? []) {
            const rule = refusalRule(error);
            if (rule) {
              countRefusal(rule);
              outcome = 'refused';
              break;
            }
          }
          gatewayRequests.inc({ service: GATEWAY_SERVICE, operation, type, outcome });
          gatewayRequestDuration.observe({ service: GATEWAY_SERVICE, operation, type }, secondsSince(started));
        },
      };
    },
  };
}

function soleOperation(document: DocumentNode): { name: string | undefined; type: string } | null {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const only = operations.length === 1 ? operations[0] : undefined;
  return only?.kind === Kind.OPERATION_DEFINITION ? { name: only.name?.value, type: only.operation } : null;
}

/** `GET /metrics`: Prometheus exposition of this process (every service, in the embedded stack). */
export function metricsRoute(app: express.Express): void {
  collectProcessMetrics();
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await scrapeMetrics();
    res.type(contentType).send(body);
  });
}

/** The root field a subscription document asks for (bounded by the schema): the `field` label. */
export function rootFieldOf(document: DocumentNode, operationName?: string | null): string {
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION || (operationName && d.name?.value !== operationName)) continue;
    for (const s of d.selectionSet.selections) if (s.kind === Kind.FIELD && s.name.value !== '__typename') return s.name.value;
  }
  return 'unknown';
}

import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Logger } from '@market/platform';
import type { OperationLimits } from '../edge/operation-limits';
import { UNTRUSTED_MESSAGE } from '../edge/trusted-documents';
import { findUnsafeText, unsafeTextError } from '../edge/input-hygiene';
import type { SubscriptionPlan, SupergraphPlanner } from './planner';

/**
 * A subscribe message checked the way HTTP checks an operation (document length, tokens, the same
 * validation rules and limits, variables) and planned: graphql-ws's ExecutionArgs whose
 * contextValue carries the plan, or the errors that refuse it.
 */
export function prepareSubscription<C>(input: {
  payload: SubscribePayload;
  planner: SupergraphPlanner;
  limits: OperationLimits;
  rules: readonly ValidationRule[];
  logger: Logger;
  /** What `subscribe` needs besides the plan (the connection). */
  context: C;
}): ExecutionArgs | GraphQLError[] {
  const { planner, limits } = input;
  let payload = input.payload;
  if (limits.trustedDocuments) {
    const trusted = limits.trustedDocuments.resolve(payload);
    if (trusted === null) return [new GraphQLError(UNTRUSTED_MESSAGE, { extensions: { code: 'PERSISTED_QUERY_NOT_TRUSTED' } })];
    payload = { ...payload, query: trusted };
  }
  if (typeof payload.query !== 'string') {
    return [new GraphQLError('Send the operation as a string in `query`.', { extensions: { code: 'BAD_USER_INPUT' } })];
  }
  const tooLong = limits.documentTooLong(payload.query);
  if (tooLong) return [new GraphQLError(tooLong, { extensions: { code: 'BAD_USER_INPUT' } })];
  let document: DocumentNode;
  try {
    document = parse(payload.query, limits.parseOptions);
  } catch (err) {
    return [
      err instanceof GraphQLError
        ? withCode(err, 'GRAPHQL_PARSE_FAILED')
        : new GraphQLError('Malformed operation.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
    ];
  }
  const errors = validate(planner.clientSchema, document, [...specifiedRules, ...input.rules]);
  if (errors.length > 0) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return [new GraphQLError('Name the operation to run with operationName.', { extensions: { code: 'BAD_USER_INPUT' } })];
  if (operation.operation !== 'subscription') {
    return [
      new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations with HTTP POST.', {
        extensions: { code: 'BAD_REQUEST' },
      }),
    ];
  }
  const variables = getVariableValues(planner.clientSchema, operation.variableDefinitions ?? [], payload.variables ?? {}, {
    maxErrors: 10,
  });
  if (variables.errors) return variables.errors.map((e) => withCode(e, 'BAD_USER_INPUT'));
  const where = findUnsafeText(document, payload.variables);
  if (where) return [unsafeTextError(where)];
  const tooCostly = limits.costError({
    schema: planner.clientSchema,
    document,
    operationName: payload.operationName,
    variables: payload.variables ?? {},
  });
  if (tooCostly) return [tooCostly];
  let plan: SubscriptionPlan;
  try {
    plan = planner.plan(document, payload.operationName);
  } catch (err) {
    if (err instanceof GraphQLError) return [err];
    input.logger.error({ err }, 'subscription planning failed');
    return [new GraphQLError('This subscription could not be planned.')];
  }
  const prepared: PreparedSubscription<C> = { context: input.context, planner, plan };
  return {
    schema: planner.clientSchema,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables ?? {},
    contextValue: prepared,
  };
}

/** What prepareSubscription hands to `subscribe`, as graphql-ws's contextValue. */
export interface PreparedSubscription<C> {
  context: C;
  planner: SupergraphPlanner;
  plan: SubscriptionPlan;
}

export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

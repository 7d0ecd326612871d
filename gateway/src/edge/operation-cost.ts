import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * What an operation costs, computed with its variables (and the defaults of variables and of
 * arguments), so the same query costs the same whether its page sizes are literals or variables:
 *
 *   every field costs 1 (a leaf) or 2 (an object), times how many times it can occur: the product
 *   of the page sizes of the lists above it.
 *
 * A list's page size is its size argument (`first`, `last`, `limit`, `pageSize`, `take`): the
 * literal, else the variable, else the argument's default, else ASSUMED_PAGE_SIZE (the servers'
 * usual default). A connection (a non-list field with a size argument) multiplies by its size once:
 * its `edges`/`nodes` lists add no factor of their own. A list without any size argument counts
 * UNPAGED_LIST_SIZE items. A size above MAX_PAGE_SIZE is refused outright: no server pages that far,
 * and a client asking for it asks for an unbounded list.
 */
export const COST_MODEL = {
  leafCost: 1,
  objectCost: 2,
  assumedPageSize: 50,
  unpagedListSize: 10,
  maxPageSize: 500,
} as const;

const SIZE_ARGUMENTS = new Set(['first', 'last', 'limit', 'pageSize', 'take']);

export type CostVerdict = { ok: true; cost: number } | { ok: false; error: GraphQLError };

function costError(message: string, cost?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'COST_LIMIT_EXCEEDED', ...(cost !== undefined ? { cost } : {}), http: { status: 400 } },
  });
}

export function operationCost(input: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  maxCost: number;
}): CostVerdict {
  const { schema, document } = input;
  const operation = getOperationAST(document, input.operationName ?? undefined);
  if (!operation) return { ok: true, cost: 0 };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], input.variables ?? {}, { maxErrors: 1 });
  // Variables that do not coerce fail the request anyway, with graphql's own message.
  if (coerced.errors) return { ok: true, cost: 0 };
  const variables = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getRootType(operation.operation);
  if (!root) return { ok: true, cost: 0 };

  let unbounded: { field: string; size: number } | null = null;
  const visit = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    multiplier: number,
    insideConnection: boolean,
    seen: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle is a validation error; never follow one here.
        if (!fragment || seen.has(name)) continue;
        total += visit(
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value) ?? parent,
          multiplier,
          insideConnection,
          new Set([...seen, name]),
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? parent) : parent;
        total += visit(selection.selectionSet, type, multiplier, insideConnection, seen);
      } else {
        total += fieldCost(selection, parent, multiplier, insideConnection, seen);
      }
    }
    return total;
  };
  const fieldCost = (
    node: FieldNode,
    parent: GraphQLNamedType,
    multiplier: number,
    insideConnection: boolean,
    seen: Set<string>,
  ): number => {
    const field = fieldOf(parent, node.name.value);
    if (!field) return 0;
    const named = getNamedType(field.type);
    const own = multiplier * (isLeafType(named) ? COST_MODEL.leafCost : COST_MODEL.objectCost);
    if (!node.selectionSet) return own;
    const isList = isListType(getNullableType(field.type));
    const size = pageSize(node, field, variables);
    if (size !== null && size > COST_MODEL.maxPageSize) unbounded ??= { field: node.name.value, size };
    let factor = 1;
    if (size !== null) factor = Math.max(size, 0);
    else if (isList && !insideConnection) factor = COST_MODEL.unpagedListSize;
    // A sized field that is not itself a list is a connection: its lists are the page already counted.
    const childInsideConnection = size !== null && !isList;
    return own + visit(node.selectionSet, named, multiplier * factor, childInsideConnection, seen);
  };

  const cost = Math.round(visit(operation.selectionSet, root, 1, false, new Set()));
  const tooBig = unbounded as { field: string; size: number } | null;
  if (tooBig) {
    return {
      ok: false,
      error: costError(
        `\`${tooBig.field}\` asks for ${tooBig.size} items; at most ${COST_MODEL.maxPageSize} per page. Page through with a cursor.`,
      ),
    };
  }
  if (cost > input.maxCost) {
    return {
      ok: false,
      error: costError(
        `This operation costs ${cost}; the limit is ${input.maxCost}. Ask for smaller pages (first/last) or fewer nested lists, or split it.`,
        cost,
      ),
    };
  }
  return { ok: true, cost };
}

function fieldOf(parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
  // On a union only __typename can be selected directly.
  if (isUnionType(parent)) return undefined;
  return undefined;
}

/** The page size a field asks for (literal, variable, argument default), or null when it has no size argument. */
function pageSize(node: FieldNode, field: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): number | null {
  let found: number | null = null;
  for (const arg of field.args) {
    if (!SIZE_ARGUMENTS.has(arg.name)) continue;
    const given = node.arguments?.find((a) => a.name.value === arg.name);
    let value: unknown = undefined;
    if (given) value = valueFromAST(given.value, arg.type, variables);
    if ((value === undefined || value === null) && !given) value = arg.defaultValue;
    const size = typeof value === 'number' && Number.isFinite(value) ? value : COST_MODEL.assumedPageSize;
    // `first` and `last` together: the larger one bounds what can come back.
    found = found === null ? size : Math.max(found, size);
  }
  return found;
}

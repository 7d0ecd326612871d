import type { InstanceLogLineConnectionResolvers, InstanceLogLineResolvers } from '../generated/graphql';

export const InstanceLogLine: InstanceLogLineResolvers = {
  // The line id is the cursor: lines of an instance are ordered by it.
  cursor: (line) => line.id,
};

export const InstanceLogLineConnection: InstanceLogLineConnectionResolvers = {
  edges: (page) => page.lines.map((line) => ({ cursor: line.id, node: line })),
  pageInfo: (page) => ({
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: page.lines[0]?.id ?? null,
    endCursor: page.lines.at(-1)?.id ?? null,
  }),
};

import { pageOfList } from './list-page';

const items = ['a', 'b', 'c', 'd', 'e'];
const page = (args: Parameters<typeof pageOfList<string>>[2]) => pageOfList(items, (x) => x, args, { defaultFirst: 2, max: 3 });
const nodes = (p: ReturnType<typeof page>) => p.edges.map((e) => e.node);

describe('pageOfList', () => {
  it('pages forwards with first/after and backwards with last/before, with a full PageInfo', () => {
    const one = page({});
    expect(nodes(one)).toEqual(['a', 'b']);
    expect(one.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: one.edges[0]!.cursor,
      endCursor: one.edges[1]!.cursor,
    });
    const two = page({ first: 2, after: one.pageInfo.endCursor });
    expect(nodes(two)).toEqual(['c', 'd']);
    expect(two.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const three = page({ first: 2, after: two.pageInfo.endCursor });
    expect(nodes(three)).toEqual(['e']);
    expect(three.pageInfo.hasNextPage).toBe(false);
    const back = page({ last: 2, before: three.pageInfo.startCursor });
    expect(nodes(back)).toEqual(['c', 'd']);
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(nodes(page({ last: 3 }))).toEqual(['c', 'd', 'e']);
  });

  it('refuses foreign cursors and page sizes beyond the limit', () => {
    expect(() => page({ after: 'nope' })).toThrow(/not a cursor/);
    expect(() => page({ first: 4 })).toThrow(/between 0 and 3/);
    expect(() => page({ last: -1 })).toThrow(/between 0 and 3/);
  });
});

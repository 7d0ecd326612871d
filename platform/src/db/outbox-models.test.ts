import { readFileSync } from 'node:fs';
import { SUBGRAPH_NAMES } from '../subgraph-names';
import { migrationsOf } from './layout';
import { OUTBOX_MODELS_PATH, modelBlock, outboxModelDrift } from './outbox-models';

const canonical = readFileSync(OUTBOX_MODELS_PATH, 'utf8');

describe('outbox and inbox models', () => {
  it.each(SUBGRAPH_NAMES)("%s's schema carries the canonical OutboxEvent and InboxEvent", (domain) => {
    const schema = readFileSync(migrationsOf(domain).schemaPath, 'utf8');
    expect(outboxModelDrift(schema, canonical)).toEqual([]);
  });

  it('ignores whitespace and layout', () => {
    const reindented = canonical.replace(/ {2,}/g, '\t').replace(/\{\n/g, '{\n\n').replace(/\n/g, '  \n');
    expect(outboxModelDrift(reindented, canonical)).toEqual([]);
  });

  it('reports a changed column, a dropped doc comment and a missing model', () => {
    const widened = canonical.replace('type        String    @db.VarChar(100)', 'type        String    @db.VarChar(200)');
    expect(outboxModelDrift(widened, canonical)).toEqual(['OutboxEvent']);

    const undocumented = canonical.replace(/^\/\/\/ Events this service has handled.*$/m, '');
    expect(outboxModelDrift(undocumented, canonical)).toEqual(['InboxEvent']);

    const withoutInbox = canonical.slice(0, canonical.indexOf('/// Events this service has handled'));
    expect(modelBlock(withoutInbox, 'InboxEvent')).toBeUndefined();
    expect(outboxModelDrift(withoutInbox, canonical)).toEqual(['InboxEvent']);
  });
});

import { signConnectionInit, signSubscribePayload, verifyConnectionInit, verifySubscribePayload } from './protocol';

const secret = 'a'.repeat(64);
const caller = { identity: { userId: 'u1', role: 'BUYER' as const, sessionId: 's1' }, ip: '10.0.0.1', userAgent: 'test' };
const operation = {
  query: 'subscription($id: ID!) { messageAdded(conversationId: $id) { id } }',
  operationName: null,
  variables: { id: 'c1' },
};

describe('the signed graphql-ws protocol between gateway and subgraphs', () => {
  it('accepts what the gateway signs, after a JSON round trip, and returns the caller', () => {
    const payload = JSON.parse(JSON.stringify(signSubscribePayload(secret, operation, caller, 'req-1')));
    expect(verifySubscribePayload(secret, payload)).toEqual({ ok: true, caller, requestId: 'req-1', nonce: expect.any(String) });
    expect(verifyConnectionInit(secret, JSON.parse(JSON.stringify(signConnectionInit(secret))))).toMatchObject({ ok: true });
  });

  it('refuses a missing, forged, tampered or stale signature', () => {
    const payload = signSubscribePayload(secret, operation, caller, 'req-1');
    const admin = Buffer.from(JSON.stringify({ ...caller, identity: { ...caller.identity, role: 'ADMIN' } })).toString('base64url');
    const cases = [
      { ...payload, extensions: {} },
      signSubscribePayload('b'.repeat(64), operation, caller, 'req-1'),
      { ...payload, variables: { id: 'someone-elses-conversation' } },
      { ...payload, query: 'subscription { notificationAdded { id } }' },
      { ...payload, extensions: { gateway: { ...payload.extensions.gateway, caller: admin } } },
      signSubscribePayload(secret, operation, caller, 'req-1', Date.now() - 120_000),
    ];
    for (const forged of cases) expect(verifySubscribePayload(secret, forged).ok).toBe(false);
    expect(verifyConnectionInit(secret, {}).ok).toBe(false);
    expect(verifyConnectionInit(secret, signConnectionInit('b'.repeat(64))).ok).toBe(false);
  });
});

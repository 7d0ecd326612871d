import { mayStart } from './access';

describe('mayStart', () => {
  it('lets every role start a machine with no allowed roles', () => {
    expect(mayStart({ allowedRoles: [] }, 'BUYER')).toBe(true);
  });
  it('lets only the listed roles start it', () => {
    expect(mayStart({ allowedRoles: ['HOST', 'AGENT'] }, 'HOST')).toBe(true);
    expect(mayStart({ allowedRoles: ['HOST', 'AGENT'] }, 'BUYER')).toBe(false);
  });
  it('lets admins start any machine', () => {
    expect(mayStart({ allowedRoles: ['HOST'] }, 'ADMIN')).toBe(true);
  });
});

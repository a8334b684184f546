import { sameCommit } from './events';

const SHA = 'a'.repeat(40);
const DIGEST = `sha256:${'d'.repeat(64)}`;

describe('sameCommit', () => {
  it('tells one commit in each form Argo CD and Flux report it', () => {
    expect(sameCommit(`main@sha1:${SHA}`, SHA)).toBe(true);
    expect(sameCommit(`main/${SHA}`, `main@sha1:${SHA}`)).toBe(true);
    expect(sameCommit(SHA.toUpperCase(), SHA)).toBe(true);
    expect(sameCommit(`main@sha1:${SHA}`, 'b'.repeat(40))).toBe(false);
    expect(sameCommit(SHA, undefined)).toBe(false);
  });

  it('tells one OCI artifact by its digest, whatever tag names it', () => {
    expect(sameCommit(`v1.0.0@${DIGEST}`, `latest@${DIGEST}`)).toBe(true);
    expect(
      sameCommit(`v1.0.0@${DIGEST}`, `v1.0.0@sha256:${'e'.repeat(64)}`),
    ).toBe(false);
  });

  it('compares other revisions as they are', () => {
    expect(sameCommit('1.2.3', '1.2.3')).toBe(true);
    expect(sameCommit('1.2.3', '1.2.4')).toBe(false);
  });
});

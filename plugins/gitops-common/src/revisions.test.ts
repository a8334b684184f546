import { formatRevision, isCommitSha, parseRevision } from './revisions';

const SHA = '731f7eaddfb6af01cb2173e18f0f75b0ba780ef1';
const DIGEST =
  'sha256:0cc9a8446c95009ef382f5eade883a67c257f77d50f84e78ecef2aac9428d1e5';

describe('parseRevision', () => {
  it.each([
    [`main@sha1:${SHA}`, { type: 'git', ref: 'main', sha: SHA }],
    [
      `feature/login/v2@sha1:${SHA}`,
      { type: 'git', ref: 'feature/login/v2', sha: SHA },
    ],
    [`v1.2.3@sha1:${SHA}`, { type: 'git', ref: 'v1.2.3', sha: SHA }],
    [`sha1:${SHA}`, { type: 'git', sha: SHA }],
    [`6.6.1@${DIGEST}`, { type: 'oci', ref: '6.6.1', digest: DIGEST }],
    [`latest@${DIGEST}`, { type: 'oci', ref: 'latest', digest: DIGEST }],
    [DIGEST, { type: 'oci', digest: DIGEST }],
    ['6.6.1', { type: 'chart', version: '6.6.1' }],
    ['6.6.1+0cc9a8446c95', { type: 'chart', version: '6.6.1+0cc9a8446c95' }],
    ['v1.16.1', { type: 'chart', version: 'v1.16.1' }],
    [`main/${SHA}`, { type: 'git', ref: 'main', sha: SHA }],
    [`release/2024/${SHA}`, { type: 'git', ref: 'release/2024', sha: SHA }],
    [SHA, { type: 'git', sha: SHA }],
    [SHA.toUpperCase(), { type: 'git', sha: SHA }],
    ['HEAD', { type: 'unknown' }],
  ])('parses %s', (raw, expected) => {
    expect(parseRevision(raw)).toEqual({ raw, ...expected });
  });

  it('formats revisions for people', () => {
    expect(formatRevision(`main@sha1:${SHA}`)).toBe('731f7ea');
    expect(formatRevision('6.6.1')).toBe('6.6.1');
    expect(formatRevision(`6.6.1@${DIGEST}`)).toBe('6.6.1@sha256:0cc9a84');
    expect(formatRevision('HEAD')).toBe('HEAD');
  });
});

describe('isCommitSha', () => {
  it('takes full and abbreviated sha1 and sha256 commits, nothing else', () => {
    expect(isCommitSha('a'.repeat(40))).toBe(true);
    expect(isCommitSha('B'.repeat(64))).toBe(true);
    expect(isCommitSha('0a1b2c3')).toBe(true);
    expect(isCommitSha('0a1b2c')).toBe(false); // too short to name one
    expect(isCommitSha('a'.repeat(65))).toBe(false);
    expect(isCommitSha('main')).toBe(false);
    expect(isCommitSha('v1.2.3')).toBe(false);
    expect(isCommitSha(`main@sha1:${'a'.repeat(40)}`)).toBe(false);
    expect(isCommitSha('--upload-pack=x')).toBe(false);
  });
});

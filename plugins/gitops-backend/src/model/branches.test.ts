import { trackedBranch } from './branches';

describe('trackedBranch', () => {
  it('tells branches from pinned revisions', () => {
    expect(trackedBranch('main')).toBe('main');
    expect(trackedBranch('feature/x')).toBe('feature/x');
    expect(trackedBranch('refs/heads/release')).toBe('release');
    expect(trackedBranch(undefined)).toBe('HEAD');
    expect(trackedBranch('HEAD')).toBe('HEAD');
    expect(trackedBranch('v1.2.3')).toBeUndefined();
    expect(trackedBranch('1.2.3-rc.1')).toBeUndefined();
    expect(trackedBranch('refs/tags/stable')).toBeUndefined();
    expect(trackedBranch('a'.repeat(40))).toBeUndefined();
    expect(trackedBranch('b'.repeat(64))).toBeUndefined();
  });

  it('takes the ref a controller reported over the configured revision', () => {
    expect(trackedBranch(undefined, 'release/1.x')).toBe('release/1.x');
    expect(trackedBranch('HEAD', 'main')).toBe('main');
    expect(trackedBranch('main', 'v2.0.0')).toBeUndefined();
  });
});

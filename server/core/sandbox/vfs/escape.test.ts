import { describe, it, expect } from 'vitest';
import { E, FOLLOW, OFLAGS, RIGHTS, dir, file, link, testHost } from './test-host';

/**
 * Every way out of a preopened directory an attacker would try: `..`, absolute paths, symlinks whose
 * target leaves the tree (directly, through a chain, or created by the module), descriptors that
 * were never opened, and bytes that are not a path. Each must fail with an errno and touch nothing.
 */
const tree = () => [
  { guestPath: '/', entries: [file('secret-inside.txt', 'inside'), dir('sub'), file('sub/a.txt', 'a'), link('up', '../outside'), link('abs', '/etc/passwd'), link('hop1', 'sub/hop2'), link('sub/hop2', '../../outside')] },
  { guestPath: '/other', entries: [file('b.txt', 'other tree')] },
];
const full = () => testHost({ capabilities: ['fs.read', 'fs.write'], preopens: tree() });

describe('no escape from a preopened directory', () => {
  it.each(['..', '../', '../outside', 'sub/../..', 'sub/../../outside', './../x', 'sub/./../../x', '../other/b.txt'])(
    'refuses `..` above the preopen: %s',
    (path) => {
      expect(full().open(3, path)[0]).toBe(E.NOTCAPABLE);
    },
  );

  it.each(['/', '/etc/passwd', '/secret-inside.txt', '//x'])('refuses an absolute path: %s', (path) => {
    expect(full().open(3, path)[0]).toBe(E.NOTCAPABLE);
  });

  it('refuses `..` above a directory descriptor even when the target is inside the preopen (capability-style)', () => {
    const h = full();
    const [errno, sub] = h.open(3, 'sub', { oflags: OFLAGS.DIRECTORY, base: RIGHTS.ALL & ~RIGHTS.FD_WRITE });
    expect(errno).toBe(E.SUCCESS);
    expect(h.open(sub, 'a.txt')[0]).toBe(E.SUCCESS);
    expect(h.open(sub, '../secret-inside.txt')[0]).toBe(E.NOTCAPABLE);
  });

  it('refuses symlinks whose target leaves the tree: relative, absolute, and through a chain', () => {
    const h = full();
    expect(h.open(3, 'up', { lookup: FOLLOW })[0]).toBe(E.NOTCAPABLE);
    expect(h.open(3, 'abs', { lookup: FOLLOW })[0]).toBe(E.NOTCAPABLE);
    expect(h.open(3, 'hop1', { lookup: FOLLOW })[0]).toBe(E.NOTCAPABLE);
    expect(h.open(3, 'up/x', { lookup: 0 })[0]).toBe(E.NOTCAPABLE);
    // Not following the final link opens nothing either: a link is not a file.
    expect(h.open(3, 'up', { lookup: 0 })[0]).toBe(E.LOOP);
  });

  it('refuses an absolute symlink target when created; a relative one out of the tree is refused when followed', () => {
    const h = full();
    const [t1, l1] = h.str('/etc/shadow');
    const [n1, m1] = h.str('mine');
    expect(h.call('path_symlink', t1, l1, 3, n1, m1)).toBe(E.NOTCAPABLE);
    const [t2, l2] = h.str('../../etc/shadow');
    expect(h.call('path_symlink', t2, l2, 3, n1, m1)).toBe(E.SUCCESS);
    expect(h.open(3, 'mine', { lookup: FOLLOW })[0]).toBe(E.NOTCAPABLE);
    const [p, l] = h.str('mine');
    expect(h.call('path_filestat_get', 3, FOLLOW, p, l, 512)).toBe(E.NOTCAPABLE);
  });

  it('answers LOOP for a symlink cycle instead of spinning', () => {
    const h = testHost({ capabilities: ['fs.read'], preopens: [{ guestPath: '/', entries: [link('a', 'b'), link('b', 'a')] }] });
    expect(h.open(3, 'a', { lookup: FOLLOW, base: RIGHTS.FD_READ })[0]).toBe(E.LOOP);
  });

  it('refuses rename, link, mkdir, unlink and stat targets outside the tree', () => {
    const h = full();
    const [a, al] = h.str('secret-inside.txt');
    const [o, ol] = h.str('../stolen');
    expect(h.call('path_rename', 3, a, al, 3, o, ol)).toBe(E.NOTCAPABLE);
    expect(h.call('path_link', 3, 0, a, al, 3, o, ol)).toBe(E.NOTCAPABLE);
    expect(h.call('path_rename', 3, o, ol, 3, a, al)).toBe(E.NOTCAPABLE);
    expect(h.call('path_create_directory', 3, o, ol)).toBe(E.NOTCAPABLE);
    expect(h.call('path_unlink_file', 3, o, ol)).toBe(E.NOTCAPABLE);
    expect(h.call('path_remove_directory', 3, o, ol)).toBe(E.NOTCAPABLE);
    expect(h.call('path_filestat_get', 3, 0, o, ol, 512)).toBe(E.NOTCAPABLE);
    const [abs, absl] = h.str('/tmp/x');
    expect(h.call('path_rename', 3, a, al, 3, abs, absl)).toBe(E.NOTCAPABLE);
    // Nothing moved.
    expect(h.open(3, 'secret-inside.txt')[0]).toBe(E.SUCCESS);
  });

  it('answers BADF for descriptors that were never opened (and after close), never reaching another tree', () => {
    const h = full();
    const [p, l] = h.str('b.txt');
    expect(h.call('path_open', 9, FOLLOW, p, l, 0, 0n, 0n, 0, 0)).toBe(E.BADF);
    expect(h.read(9)[0]).toBe(E.BADF);
    expect(h.write(9, 'x')[0]).toBe(E.BADF);
    expect(h.call('fd_close', 9)).toBe(E.BADF);
    expect(h.call('fd_renumber', 3, 9)).toBe(E.BADF);
    expect(h.call('fd_prestat_get', 5, 0)).toBe(E.BADF);
    expect(h.call('fd_seek', 0xffffffff, 0n, 0, 0)).toBe(E.BADF);
    expect(h.call('fd_close', 3)).toBe(E.SUCCESS);
    expect(h.open(3, 'secret-inside.txt')[0]).toBe(E.BADF);
    // The second preopen is its own tree: reachable only through its own descriptor.
    expect(h.open(4, 'b.txt')[0]).toBe(E.SUCCESS);
  });

  it('refuses a path with a NUL byte or invalid UTF-8, and pointers outside memory', () => {
    const h = full();
    expect(h.open(3, 'secret-inside.txt\0../../x')[0]).toBe(E.ILSEQ);
    const [p, l] = h.str(new Uint8Array([0x73, 0xff, 0xfe]));
    expect(h.call('path_open', 3, FOLLOW, p, l, 0, 0n, 0n, 0, 0)).toBe(E.ILSEQ);
    expect(h.call('path_open', 3, FOLLOW, 0xfffffff0, 64, 0, 0n, 0n, 0, 0)).toBe(E.FAULT);
    const [q, ql] = h.str('secret-inside.txt');
    expect(h.call('path_open', 3, FOLLOW, q, ql, 0, 0n, 0n, 0, 0xfffffffc)).toBe(E.FAULT);
  });

  it('works on a copy: the caller-supplied entries are never changed by the module', () => {
    const entries = [file('data.txt', 'original')];
    const h = testHost({ capabilities: ['fs.read', 'fs.write'], preopens: [{ guestPath: '/', entries }] });
    const [errno, fd] = h.open(3, 'data.txt', { oflags: OFLAGS.TRUNC });
    expect(errno).toBe(E.SUCCESS);
    expect(h.write(fd, 'overwritten by the module')[0]).toBe(E.SUCCESS);
    expect(new TextDecoder().decode((entries[0] as { data: Uint8Array }).data)).toBe('original');
    const after = h.host.filesystem()[0]?.entries.find((e) => e.path === 'data.txt');
    expect(after && 'data' in after && new TextDecoder().decode(after.data)).toBe('overwritten by the module');
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMemoryMiB, parseSizeBytes, formatMiB } from '../../src/engine/options/sizes';

test('memory: bcvk forms', () => {
  assert.equal(parseMemoryMiB('4G'), 4096);
  assert.equal(parseMemoryMiB('4g'), 4096);
  assert.equal(parseMemoryMiB('1.5G'), 1536);
  assert.equal(parseMemoryMiB('1536M'), 1536);
  assert.equal(parseMemoryMiB('1536'), 1536);
  assert.equal(parseMemoryMiB(' 2G '), 2048);
  assert.equal(parseMemoryMiB('2097152K'), 2048);
  assert.equal(parseMemoryMiB('1023K'), 0);
});

test('memory: rejects what bcvk rejects', () => {
  for (const bad of ['4GB', '4 GiB', 'G', '', '-1G', '4T', 'abc', '1,5G']) assert.equal(parseMemoryMiB(bad), undefined, bad);
});

test('sizes for swap: binary units, plain bytes', () => {
  assert.equal(parseSizeBytes('1G'), 1024 ** 3);
  assert.equal(parseSizeBytes('512MB'), 512 * 1024 ** 2);
  assert.equal(parseSizeBytes('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseSizeBytes('4096'), 4096);
  assert.equal(parseSizeBytes('1X'), undefined);
});

test('formatMiB', () => {
  assert.equal(formatMiB(4096), '4G');
  assert.equal(formatMiB(1536), '1536M');
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleSink } from '../src/log-sink';

describe('the default log sink', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes each line through the console method of its level, so log tools can filter by level', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});

    consoleSink(JSON.stringify({ level: 'info', event: 'login.succeeded' }));
    consoleSink(JSON.stringify({ level: 'warn', event: 'request.unavailable' }));
    consoleSink(JSON.stringify({ level: 'error', event: 'request.failed' }));

    expect(info).toHaveBeenCalledWith('{"level":"info","event":"login.succeeded"}');
    expect(warn).toHaveBeenCalledWith('{"level":"warn","event":"request.unavailable"}');
    expect(error).toHaveBeenCalledWith('{"level":"error","event":"request.failed"}');
    expect(log).not.toHaveBeenCalled();
  });
});

import { ConfigError, loadConfig } from './config';

describe('LOG_FORMAT', () => {
  it('is text unless set', () => {
    expect(loadConfig({}).logFormat).toBe('text');
    expect(loadConfig({ LOG_FORMAT: ' ' }).logFormat).toBe('text');
  });

  it('accepts text and json', () => {
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'text' }).logFormat).toBe('text');
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'JSON' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow(
      'LOG_FORMAT: must be one of text, json, got "yaml"',
    );
  });
});

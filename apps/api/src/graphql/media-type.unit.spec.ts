import { acceptsOnlyLegacyJson, statusForDocumentErrors } from './media-type';

describe('acceptsOnlyLegacyJson', () => {
  describe('when the Accept header decides the media type', () => {
    it.each([
      ['application/json', true],
      ['application/json; charset=utf-8', true],
      ['*/*', true],
      ['application/*', true],
      ['application/json, application/graphql-response+json', true],
      ['application/graphql-response+json', false],
      ['application/graphql-response+json, application/json;q=0.9', false],
      ['application/graphql-response+json, application/json', false],
      ['application/json;q=0.5, application/graphql-response+json;q=0.4', true],
      ['application/graphql-response+json, */*;q=0.1', false],
      ['application/json;q=0', false],
      ['text/html', false],
    ])('%j → %s', (accept, expected) => {
      expect(acceptsOnlyLegacyJson(accept)).toBe(expected);
    });
  });

  describe('when there is no Accept header', () => {
    it('says nothing about the client, so the status keeps telling what failed', () => {
      expect(acceptsOnlyLegacyJson(undefined)).toBe(false);
      expect(statusForDocumentErrors(undefined)).toBe(400);
    });
  });
});

describe('statusForDocumentErrors', () => {
  describe('when the answer is application/json', () => {
    it('is 200, as the GraphQL-over-HTTP spec asks', () => {
      expect(statusForDocumentErrors('application/json')).toBe(200);
      expect(statusForDocumentErrors('application/graphql-response+json')).toBe(400);
    });
  });
});

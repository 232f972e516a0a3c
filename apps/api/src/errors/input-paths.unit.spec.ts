import { buildSchema, parse, validate } from 'graphql';
import { annotateInputErrors, variableFieldError } from './input-paths';

const schema = buildSchema(`
  input Inner { weight: Float! }
  input Thing { name: String! tags: [String!] inner: Inner }
  type Query { thing(input: Thing!, n: Int): String }
`);

function fieldErrorsOf(query: string) {
  const document = parse(query);
  const errors = validate(schema, document);
  annotateInputErrors(document, errors);
  return errors.map((e) => e.extensions.fieldErrors);
}

describe('annotateInputErrors', () => {
  describe('when literals do not fit their types', () => {
    it.each([
      ['{ thing(input: {name: 123}) }', 'input.name', 'type'],
      ['{ thing(input: {name: "x", tags: ["a", 2]}) }', 'input.tags[1]', 'type'],
      ['{ thing(input: {name: "x", inner: {weight: "heavy"}}) }', 'input.inner.weight', 'type'],
      ['{ thing(input: {name: "x", inner: {}}) }', 'input.inner.weight', 'required'],
      ['{ thing(input: {name: "x", nmae: "y"}) }', 'input.nmae', 'unknown'],
      ['{ thing(input: {name: "x"}, n: "one") }', 'n', 'type'],
      ['{ thing }', 'input', 'required'],
      ['query($n: Int = "one") { thing(input: {name: "x"}, n: $n) }', 'n', 'type'],
    ])('names %s as %s (%s)', (query, path, constraint) => {
      expect(fieldErrorsOf(query)).toEqual([[{ path, constraint, message: expect.any(String) }]]);
    });
  });

  describe('when an error is about the document, not a value', () => {
    it('adds nothing', () => {
      expect(fieldErrorsOf('{ nothing }')).toEqual([undefined]);
    });
  });
});

describe('variableFieldError', () => {
  describe('when graphql-js could not coerce a variable', () => {
    it.each([
      [
        'Variable "$input" got invalid value 1 at "input.name"; String cannot represent a non string value: 1',
        'input.name',
        'type',
      ],
      [
        'Variable "$input" got invalid value {}; Field "name" of required type "String!" was not provided.',
        'input.name',
        'required',
      ],
      [
        'Variable "$input" got invalid value { a: "x; y" }; Field "a" is not defined by type "Thing".',
        'input.a',
        'unknown',
      ],
      [
        'Variable "$input" got invalid value { k": "x" }; Field "k"" is not defined by type "Thing".',
        'input',
        'type',
      ],
      [
        'Variable "$input" got invalid value { a: { k": 1 } }; Field "a" is not defined by type "Thing".',
        'input.a',
        'unknown',
      ],
      ['Variable "$id" of non-null type "ID!" must not be null.', 'id', 'required'],
      ['Variable "$id" of required type "ID!" was not provided.', 'id', 'required'],
    ])('reads %j', (message, path, constraint) => {
      expect(variableFieldError(message)).toMatchObject({ path, constraint });
    });
  });
});

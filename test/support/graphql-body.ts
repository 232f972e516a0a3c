/** The shape of a GraphQL response body, for reading supertest's untyped `body`. */
export interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown> & { code?: string };
  }[];
}

export function bodyOf(response: { body: unknown }): GraphqlBody {
  return response.body as GraphqlBody;
}

/** `extensions.code` of the first error. */
export function codeOf(body: unknown): string | undefined {
  return (body as GraphqlBody).errors?.[0]?.extensions?.code;
}

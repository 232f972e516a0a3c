import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { BadUserInputError, type FieldError, joinPath } from './api.errors';

/** class-validator's nested errors as one flat list, one entry per failed constraint. */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  parent = '',
): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const path = parent === '' ? segment : joinPath(parent, segment);
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      flat.push({ path, constraint, message });
    }
    if (error.children?.length) flat.push(...flattenValidationErrors(error.children, path));
  }
  return flat;
}

/**
 * The global pipe: strips undecorated properties, refuses unknown objects, builds class
 * instances, and reports every invalid field with its path under the argument name, which
 * only `transform` knows (hence the subclass rather than a bare exceptionFactory).
 */
export class GraphqlValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidUnknownValues: true,
      transform: true,
      exceptionFactory: (errors) => new BadUserInputError(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (error instanceof BadUserInputError && metadata.data) throw error.under(metadata.data);
      throw error;
    }
  }
}

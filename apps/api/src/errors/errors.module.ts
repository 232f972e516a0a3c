import { Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { GraphqlValidationPipe } from './graphql-validation.pipe';

/** Registers the global validation pipe; error formatting is wired in the GraphQL module. */
@Module({
  providers: [{ provide: APP_PIPE, useClass: GraphqlValidationPipe }],
})
export class ErrorsModule {}

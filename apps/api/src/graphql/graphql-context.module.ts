import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GraphqlContextFactory } from './graphql-context';
import { RequestLoadersRegistry } from './request-loaders';

/** Global so that any area module can inject RequestLoadersRegistry to add its loaders. */
@Global()
@Module({
  imports: [AuthModule],
  providers: [GraphqlContextFactory, RequestLoadersRegistry],
  exports: [GraphqlContextFactory, RequestLoadersRegistry, AuthModule],
})
export class GraphqlContextModule {}

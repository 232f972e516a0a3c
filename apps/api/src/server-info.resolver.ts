import { Query, Resolver } from '@nestjs/graphql';

@Resolver()
export class ServerInfoResolver {
  @Query(() => String, { description: 'The version of the OKR Ledger server answering.' })
  serverVersion(): string {
    return process.env.npm_package_version ?? '0.1.0';
  }
}

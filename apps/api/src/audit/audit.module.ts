import { Module } from '@nestjs/common';
import { AuditSignalLoadersRegistration } from './audit-signals.loaders';
import { AuditResolver } from './audit.resolver';

@Module({ providers: [AuditResolver, AuditSignalLoadersRegistration] })
export class AuditModule {}

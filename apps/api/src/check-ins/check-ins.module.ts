import { Module } from '@nestjs/common';
import { CheckInsResolver } from './check-ins.resolver';

@Module({ providers: [CheckInsResolver] })
export class CheckInsModule {}

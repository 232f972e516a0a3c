import { Module } from '@nestjs/common';
import { KeyResultsResolver } from './key-results.resolver';

@Module({ providers: [KeyResultsResolver] })
export class KeyResultsModule {}

import { Module } from '@nestjs/common';
import { AlignmentResolver } from './alignment.resolver';

@Module({ providers: [AlignmentResolver] })
export class AlignmentModule {}

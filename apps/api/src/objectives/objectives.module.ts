import { Module } from '@nestjs/common';
import { ObjectivesResolver } from './objectives.resolver';

@Module({ providers: [ObjectivesResolver] })
export class ObjectivesModule {}

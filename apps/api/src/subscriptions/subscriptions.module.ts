import { Module } from '@nestjs/common';
import { LiveUpdates } from './live-updates.service';
import { SubscriptionsResolver } from './subscriptions.resolver';

@Module({ providers: [LiveUpdates, SubscriptionsResolver] })
export class SubscriptionsModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChartsController } from './charts.controller';
import { ChartsService } from './charts.service';

/** GET /charts/…svg: burn-up, key-result history and alignment tree, drawn on the server. */
@Module({
  imports: [AuthModule],
  controllers: [ChartsController],
  providers: [ChartsService],
  exports: [ChartsService],
})
export class ChartsModule {}

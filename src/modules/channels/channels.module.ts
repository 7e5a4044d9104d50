import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { SecretsModule } from '../secrets/secrets.module';
import { ChannelSender } from './channel-sender';
import { ChannelsRepository } from './channels.repository';
import { ChannelsService } from './channels.service';
import { NotificationChannel } from './notification-channel.entity';
import { NotificationDelivery } from './notification-delivery.entity';

/** Notification channels and their deliveries (below jobs, which name channels; the alerts module decides and sends). */
@Module({
  imports: [TypeOrmModule.forFeature([NotificationChannel, NotificationDelivery]), SecretsModule, AuditModule],
  providers: [ChannelsRepository, ChannelsService, ChannelSender],
  exports: [ChannelsService],
})
export class ChannelsModule {}

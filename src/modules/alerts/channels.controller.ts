import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { IdParam } from '../../common/id-param.decorator';
import { PageQuery } from '../../common/page.query';
import { ChannelsService } from '../channels/channels.service';
import { AlertsService } from './alerts.service';
import {
  ChannelPageDto,
  ChannelResponseDto,
  CreateChannelDto,
  DeliveryPageDto,
  DeliveryResponseDto,
  UpdateChannelDto,
} from '../channels/dto/channel.dto';

@ApiTags('notification-channels')
@ApiAuth()
@Superuser()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'SECRETS_KEY is not set (a channel secret)' })
@Controller('notification-channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly alerts: AlertsService,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'createChannel',
    description:
      'A webhook (`url`, optional `secret` that signs each body), a Slack incoming webhook (`url`) or an email channel (`email_to`, over SMTP_URL). `is_default` channels get the alerts of jobs that name none. Superuser; audited.',
    summary: 'Create a notification channel (webhook, slack or email)',
  })
  @ApiCreatedResponse({
    type: ChannelResponseDto,
    description: 'The channel as created (has_secret, never the secret)',
  })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken (CHANNEL_NAME_TAKEN)' })
  create(@Body() dto: CreateChannelDto, @CurrentActor() actor: Actor): Promise<ChannelResponseDto> {
    return this.channels.create(dto, actor);
  }

  @Get()
  @ApiOperation({
    operationId: 'listChannels',
    description:
      'Every notification channel, by id, paginated; secrets are never shown (has_secret says whether one is set). Superuser.',
    summary: 'List notification channels (secrets never shown: has_secret)',
  })
  @ApiOkResponse({ type: ChannelPageDto, description: 'A page of channels' })
  list(@Query() q: PageQuery): Promise<ChannelPageDto> {
    return this.channels.list({ page: q.page, size: q.size });
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getChannel',
    description: 'One notification channel; its secret is never shown (has_secret). Superuser.',
    summary: 'Show a notification channel',
  })
  @ApiOkResponse({ type: ChannelResponseDto, description: 'The channel' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<ChannelResponseDto> {
    return this.channels.get(id);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateChannel',
    description: 'Only the fields given change; `secret: null` removes the secret. Superuser; audited.',
    summary: 'Change a notification channel (any field; `secret: null` removes the secret)',
  })
  @ApiOkResponse({ type: ChannelResponseDto, description: 'The channel as updated' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken (CHANNEL_NAME_TAKEN)' })
  async update(
    @IdParam() id: number,
    @Body() dto: UpdateChannelDto,
    @CurrentActor() actor: Actor,
  ): Promise<ChannelResponseDto> {
    return this.channels.update(id, dto, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteChannel',
    description:
      "Deletes the channel and its deliveries, and takes it out of every job's notify_channel_ids. Superuser; audited.",
    summary: 'Delete a notification channel and its deliveries; jobs naming it stop naming it',
  })
  @ApiNoContentResponse({ description: 'Deleted; no body' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<void> {
    await this.alerts.deleteChannel(id, actor);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'testChannel',
    description:
      'Sends a message with event `channel.test` now, synchronously, and answers with the delivery: `status` delivered or failed, the HTTP status or error. Superuser.',
    summary: 'Send a test message (event channel.test) now; answers with the delivery and its outcome',
  })
  @ApiOkResponse({ type: DeliveryResponseDto, description: 'The delivery and its outcome' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  test(@IdParam() id: number): Promise<DeliveryResponseDto> {
    return this.channels.test(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    operationId: 'listChannelDeliveries',
    description: 'Every alert sent or being retried on this channel, newest first, paginated. Superuser.',
    summary: "A channel's deliveries, newest first",
  })
  @ApiOkResponse({ type: DeliveryPageDto, description: 'A page of deliveries' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  deliveries(@IdParam() id: number, @Query() q: PageQuery): Promise<DeliveryPageDto> {
    return this.channels.deliveries(id, { page: q.page, size: q.size });
  }
}

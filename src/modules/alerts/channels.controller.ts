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
  @ApiOperation({ summary: 'Create a notification channel (webhook, slack or email)' })
  @ApiCreatedResponse({ type: ChannelResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken (CHANNEL_NAME_TAKEN)' })
  create(@Body() dto: CreateChannelDto, @CurrentActor() actor: Actor): Promise<ChannelResponseDto> {
    return this.channels.create(dto, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List notification channels (secrets never shown: has_secret)' })
  @ApiOkResponse({ type: ChannelPageDto })
  list(@Query() q: PageQuery): Promise<ChannelPageDto> {
    return this.channels.list({ page: q.page, size: q.size });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show a notification channel' })
  @ApiOkResponse({ type: ChannelResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<ChannelResponseDto> {
    return this.channels.get(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change a notification channel (any field; `secret: null` removes the secret)' })
  @ApiOkResponse({ type: ChannelResponseDto })
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
  @ApiOperation({ summary: 'Delete a notification channel and its deliveries; jobs naming it stop naming it' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<void> {
    await this.alerts.deleteChannel(id, actor);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a test message (event channel.test) now; answers with the delivery and its outcome' })
  @ApiOkResponse({ type: DeliveryResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  test(@IdParam() id: number): Promise<DeliveryResponseDto> {
    return this.channels.test(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A channel's deliveries, newest first" })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  deliveries(@IdParam() id: number, @Query() q: PageQuery): Promise<DeliveryPageDto> {
    return this.channels.deliveries(id, { page: q.page, size: q.size });
  }
}

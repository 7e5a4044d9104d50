import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { guardedRequest } from '../tasks/guarded-http-request';
import { HttpHostPolicy } from '../tasks/http-host-policy';
import type { NotificationChannel } from './notification-channel.entity';

/** How long one delivery may take. */
const SEND_TIMEOUT_MS = 10_000;

/** The message every channel type is made from (the webhook body, exactly). */
export interface AlertPayload {
  event: string;
  occurred_at: string;
  job: { id: number; name: string; job_type: string } | null;
  run: {
    id: number;
    status: string;
    scheduled_for: string;
    started_at: string | null;
    finished_at: string | null;
    duration_seconds: number | null;
    attempt: number;
    error: string | null;
  } | null;
  /** channel.test only. */
  message?: string;
}

export interface SendOutcome {
  ok: boolean;
  /** The HTTP status a webhook or Slack answered. */
  statusCode: number | null;
  error: string | null;
}

/**
 * Sends one message to one channel: a webhook gets the payload as JSON with `X-Jobs-Event` and,
 * when the channel has a secret, `X-Jobs-Signature-256: sha256=<hex HMAC-SHA256 of the body>`;
 * Slack an incoming-webhook `{text}`; email a plain-text mail over SMTP_URL (nodemailer). HTTP
 * goes through the same network policy as the http.request task. Never throws: the outcome says.
 */
@Injectable()
export class ChannelSender {
  private readonly policy: HttpHostPolicy;

  constructor(private readonly config: AppConfig) {
    this.policy = new HttpHostPolicy(config.httpTaskAllowedHosts, config.httpTaskDeniedHosts);
  }

  async send(channel: NotificationChannel, payload: AlertPayload, secret: string | null): Promise<SendOutcome> {
    try {
      if (channel.type === 'email') return await this.sendEmail(channel, payload);
      const body = JSON.stringify(channel.type === 'slack' ? { text: slackText(payload) } : payload);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-jobs-event': payload.event };
      if (channel.type === 'webhook' && secret)
        headers['x-jobs-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const response = await guardedRequest({
        url: new URL(channel.url ?? ''),
        method: 'POST',
        headers,
        body,
        policy: this.policy,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      const ok = response.status >= 200 && response.status <= 299;
      return {
        ok,
        statusCode: response.status,
        error: ok ? null : `HTTP ${response.status}: ${response.body.slice(0, 300)}`,
      };
    } catch (error) {
      return { ok: false, statusCode: null, error: (error as Error).message.slice(0, 1000) };
    }
  }

  private async sendEmail(channel: NotificationChannel, payload: AlertPayload): Promise<SendOutcome> {
    if (!this.config.smtpUrl)
      return { ok: false, statusCode: null, error: 'SMTP_URL is not set: email channels cannot send' };
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({
      url: this.config.smtpUrl,
      connectionTimeout: SEND_TIMEOUT_MS,
      greetingTimeout: SEND_TIMEOUT_MS,
      socketTimeout: SEND_TIMEOUT_MS,
    });
    try {
      await transport.sendMail({
        from: this.config.smtpFrom,
        to: channel.emailTo ?? '',
        subject: emailSubject(payload),
        text: `${slackText(payload)}\n\n${JSON.stringify(payload, null, 2)}\n`,
        headers: { 'X-Jobs-Event': payload.event },
      });
      return { ok: true, statusCode: null, error: null };
    } finally {
      transport.close();
    }
  }
}

/** One line a person reads: what happened to which job and run. */
export function slackText(p: AlertPayload): string {
  if (p.event === 'channel.test') return p.message ?? 'Test message from the jobs service';
  const job = p.job ? `job ${p.job.name} (#${p.job.id})` : 'a job';
  if (p.event === 'job.overdue') return `Job overdue: ${job} has not fired at its fire time`;
  if (p.event === 'job.recovered') return `Recovered: ${job} succeeded again (run #${p.run?.id})`;
  const run = p.run;
  const what = `${job}, run #${run?.id} (attempt ${run?.attempt})`;
  if (p.event === 'run.succeeded') return `Succeeded: ${what}`;
  return `${p.event === 'run.timed_out' ? 'Timed out' : 'Failed'}: ${what}${run?.error ? `: ${run.error}` : ''}`;
}

function emailSubject(p: AlertPayload): string {
  return `[jobs] ${p.event}${p.job ? `: ${p.job.name}` : ''}`;
}

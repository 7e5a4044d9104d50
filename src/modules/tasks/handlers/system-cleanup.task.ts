import { AppConfig } from '../../../config/app-config';
import { DocumentCleaner, documentCleanupKwargs, type DocumentCleanupResult } from '../document-cleaner';
import { TaskHandler } from '../task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

/** The seed's `app.tasks.cleanup.system_cleanup`: the same cleanup of DOCUMENTS_DIR under its seed name. */
@TaskHandler('app.tasks.cleanup.system_cleanup', {
  description: 'Clean up old files under DOCUMENTS_DIR (cleanup_level "deep" also removes empty folders)',
  kwargs: documentCleanupKwargs,
})
export class SystemCleanupTask implements TaskHandlerInstance {
  constructor(private readonly config: AppConfig) {}

  async run(kwargs: Record<string, unknown>, ctx: TaskContext): Promise<DocumentCleanupResult> {
    const result = await new DocumentCleaner(
      this.config.documentsDir,
      documentCleanupKwargs.parse(kwargs),
      ctx.signal,
    ).clean();
    ctx.logger.log(
      `${result.dry_run ? 'Would remove' : 'Removed'} ${result.files_removed} files (${result.bytes_removed} bytes) under ${result.documents_dir}`,
    );
    return result;
  }
}

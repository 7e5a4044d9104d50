import { AppConfig } from '../../../config/app-config';
import { DocumentCleaner, documentCleanupKwargs, type DocumentCleanupResult } from '../document-cleaner';
import { TaskHandler } from '../task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

/** The `document_cleanup` default job: deletes old files under DOCUMENTS_DIR, never outside it. */
@TaskHandler('document_cleanup', {
  description: 'Delete files older than older_than_days under DOCUMENTS_DIR',
  kwargs: documentCleanupKwargs,
})
export class DocumentCleanupTask implements TaskHandlerInstance {
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

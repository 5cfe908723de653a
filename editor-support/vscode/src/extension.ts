// The jixiao extension: starts `jixiao lsp` for .jx files (diagnostics, hover, completion, go to
// definition, references, outline, formatting, quick fixes, rename), and two commands that run the
// command-line program on the current policy. Settings: jixiao.path, jixiao.lang.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

function settings(): { program: string; lang: string } {
  const config = vscode.workspace.getConfiguration('jixiao');
  return { program: config.get<string>('path', 'jixiao') || 'jixiao', lang: config.get<string>('lang', 'zh') === 'en' ? 'en' : 'zh' };
}

async function startClient(): Promise<void> {
  const { program, lang } = settings();
  const serverOptions: ServerOptions = { command: program, args: ['lsp', '--lang', lang] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'jixiao' },
      { scheme: 'untitled', language: 'jixiao' },
    ],
    initializationOptions: { lang },
  };
  client = new LanguageClient('jixiao', 'jixiao', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    const message = lang === 'en'
      ? `Could not start \`${program} lsp\`: ${e}. Set "jixiao.path" to the jixiao program.`
      : `无法启动 \`${program} lsp\`：${e}。请在设置 "jixiao.path" 中填写 jixiao 程序的位置。`;
    void vscode.window.showErrorMessage(message);
  }
}

// Runs `jixiao ARGS...` as a task in the terminal panel (no shell: names with spaces stay whole).
async function runJixiao(title: string, args: string[], cwd: string): Promise<void> {
  const { program, lang } = settings();
  const execution = new vscode.ProcessExecution(program, [...args, '--lang', lang], { cwd });
  const task = new vscode.Task({ type: 'jixiao', command: args[0] }, vscode.TaskScope.Workspace, title, 'jixiao', execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
  await vscode.tasks.executeTask(task);
}

async function currentPolicy(): Promise<vscode.Uri | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'jixiao' || editor.document.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage(settings().lang === 'en' ? 'Open a saved .jx policy first.' : '请先打开一个已保存的 .jx 方案。');
    return undefined;
  }
  if (editor.document.isDirty) await editor.document.save();
  return editor.document.uri;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('jixiao.checkFile', async () => {
      const policy = await currentPolicy();
      if (!policy) return;
      const dir = vscode.Uri.joinPath(policy, '..').fsPath;
      await runJixiao('check', ['check', policy.fsPath], dir);
    }),
    vscode.commands.registerCommand('jixiao.evaluateOn', async () => {
      const policy = await currentPolicy();
      if (!policy) return;
      const en = settings().lang === 'en';
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        defaultUri: vscode.Uri.joinPath(policy, '..'),
        filters: en ? { 'Data (CSV, Excel)': ['csv', 'xlsx'] } : { '数据文件（CSV、Excel）': ['csv', 'xlsx'] },
        openLabel: en ? 'Evaluate' : '计算',
      });
      if (!picked || picked.length === 0) return;
      const dir = vscode.Uri.joinPath(policy, '..').fsPath;
      await runJixiao('eval', ['eval', policy.fsPath, '--data', picked[0].fsPath], dir);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('jixiao')) {
        await client?.stop();
        await startClient();
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

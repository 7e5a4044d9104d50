import { Component, type ReactNode } from 'react';

/** A page that fails to render says so instead of leaving the screen blank. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (this.state.error)
      return (
        <p role="alert" className="error">
          This page failed: {this.state.error.message}
        </p>
      );
    return this.props.children;
  }
}

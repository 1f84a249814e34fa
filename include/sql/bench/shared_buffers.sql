SELECT current_setting('shared_buffers')

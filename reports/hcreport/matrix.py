def build_matrix(runs): raise NotImplementedError
def load_runs(paths, out): raise NotImplementedError
def matrix_text(m): raise NotImplementedError

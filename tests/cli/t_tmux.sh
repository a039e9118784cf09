# The UI in a real terminal (tmux): start it, move through views, resize,
# quit, and find the shell intact; also under TERM=xterm, NO_COLOR, LANG=C.

ui_dir=$(cd "$here/../ui" && pwd)

# screen: what the pane shows now
screen() {
	tmux -L "$sock" capture-pane -t t -p
}

# wait_screen TEXT: until the pane shows TEXT (5 s at most)
wait_screen() {
	i=0
	until screen | grep -qF -- "$1"; do
		i=$((i + 1))
		[ $i -lt 50 ] || { fail "the screen never showed '$1':"; screen >&2; return 1; }
		sleep 0.1
	done
}

tmux_session() {
	sock=mlwb-test-$$
	cp "$ui_dir/mlwb.yaml" . && "$MLWB" init >/dev/null && python3 "$ui_dir/seed.py" "$PWD" || return 1
	tmux -L "$sock" new-session -d -s t -x 110 -y 30 "env -i HOME=$HOME PATH=$PATH LANG=C.UTF-8 TERM=${1:-xterm-256color} PS1='prompt$ ' sh"
	trap 'tmux -L "$sock" kill-server 2>/dev/null' EXIT
	wait_screen 'prompt$'
}

play_terminal() {
	tmux -L "$sock" send-keys -t t "cd $PWD && $2 TZ=UTC $MLWB" Enter
	wait_screen "Runs" || return 1
	wait_screen "tuning (2 runs)" || return 1
	tmux -L "$sock" send-keys -t t : d a g Space 2 Enter
	wait_screen "$1" || return 1
	tmux -L "$sock" send-keys -t t 6
	wait_screen "Queue" || return 1
	tmux -L "$sock" send-keys -t t : l o g s Space 2 Space t r a i n Enter
	wait_screen "ValueError: learning rate too large" || return 1
	tmux -L "$sock" resize-window -t t -x 70 -y 16
	wait_screen "logs 2 train" || return 1
	tmux -L "$sock" resize-window -t t -x 40 -y 8
	wait_screen "terminal too small" || return 1
	tmux -L "$sock" resize-window -t t -x 110 -y 30
	tmux -L "$sock" send-keys -t t q q q
	wait_screen 'prompt$' || return 1
	# the terminal is back in its normal mode: echo and canonical input
	tmux -L "$sock" send-keys -t t "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ,; echo END" Enter
	wait_screen "icanon,echo,END" || wait_screen "echo,icanon,END"
}

test_tmux_views_resize_quit() {
	tmux_session || return 1
	play_terminal "[✗ train 4.0s]" ""
}

test_tmux_xterm_no_color_lang_c() {
	tmux_session xterm || return 1
	play_terminal "[x train 4.0s]" "LANG=C LC_ALL=C NO_COLOR=1"
}

test_tmux_sigterm_restores_the_terminal() {
	tmux_session || return 1
	tmux -L "$sock" send-keys -t t "cd $PWD && $MLWB" Enter
	wait_screen "tuning (2 runs)" || return 1
	pkill -TERM -f "^$MLWB\$" || fail "no mlwb process" || return 1
	wait_screen 'prompt$' || return 1
	tmux -L "$sock" send-keys -t t "stty -a | tr ' ' '\\n' | grep -x icanon; echo END" Enter
	wait_screen "icanon" && wait_screen "END"
}
